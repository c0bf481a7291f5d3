// Importing the zoo makes every architecture readable from model files (src/infer/index.ts imports it for
// that). The list and the lookup are in registry.ts.
import './registry.ts';
