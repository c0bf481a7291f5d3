// QRS detection (browser-safe): the Pan-Tompkins detector and EC57-style beat comparison.
export { PanTompkins, panTompkins, type PanTompkinsOptions } from './pan-tompkins.ts';
export { compareAnnotations, vfEpisodes, type Comparison, type CompareOptions } from './compare.ts';
