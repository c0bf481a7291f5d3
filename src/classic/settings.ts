// The traditional classifiers' settings of a training run (`ecgrad train` / `compare` fit them beside
// the neural models): which feature groups, and hyperparameters by classifier name. Specs in the shape of
// src/train/settings.ts, so the CLI derives --classic-features, --classic-params and --train-labels from them.
import { choiceSetting, SettingError, type SettingSpecs } from '../core/settings.ts';
import { FEATURE_GROUPS, featureGroupsName, featureOptionsFromGroups, type FeatureOptions } from './features.ts';
import { classicModelNames, TRAIN_LABELS } from './registry.ts';

export interface ClassicSettings {
  /** Feature groups (undefined: beat, RR and morphology). */
  classicFeatures?: FeatureOptions;
  /** Hyperparameters over the registry defaults, by classifier name. */
  classicParams?: Record<string, Record<string, unknown>>;
  /** The training rows' labels, a TRAIN_LABELS table name (undefined: "aami", the dataset's labels); scores keep the dataset's. */
  trainLabels?: string;
}

function checkFeatures(v: unknown): FeatureOptions {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SettingError('classic-features', 'must be feature groups', v);
  const groups = FEATURE_GROUPS.filter((g) => (v as FeatureOptions)[g] ?? true);
  if (!groups.length) throw new SettingError('classic-features', 'is empty; name at least one of beat, rr, morphology', v);
  return v as FeatureOptions;
}

function checkParams(v: unknown): Record<string, Record<string, unknown>> {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new SettingError('classic-params', 'must be a JSON object by classifier name, e.g. \'{"logreg": {"classWeight": "balanced"}}\'', v);
  for (const [k, p] of Object.entries(v)) {
    if (!(classicModelNames() as string[]).includes(k)) throw new SettingError('classic-params', `names an unknown classifier "${k}" (known: ${classicModelNames().join(', ')})`, v);
    if (!p || typeof p !== 'object' || Array.isArray(p)) throw new SettingError('classic-params', `has a value for "${k}" that is not an object of hyperparameters`, p);
  }
  return v as Record<string, Record<string, unknown>>;
}

export const CLASSIC_SETTINGS: SettingSpecs<ClassicSettings> = {
  classicFeatures: {
    flag: 'classic-features', type: 'string', description: 'feature groups of the traditional classifiers, comma-separated from beat, rr, morphology (default: all three)',
    check: checkFeatures,
    parse(text) {
      const groups = text.split(',').map((s) => s.trim()).filter(Boolean);
      try {
        return featureOptionsFromGroups(groups);
      } catch (e) {
        const bad = groups.find((g) => !(FEATURE_GROUPS as readonly string[]).includes(g));
        throw new SettingError('classic-features', bad ? 'takes beat, rr and morphology' : (e as Error).message, bad ?? text);
      }
    },
  },
  classicParams: {
    flag: 'classic-params', type: 'string', description: 'hyperparameters of the traditional classifiers as JSON by name, e.g. \'{"logreg": {"classWeight": "balanced"}}\'',
    check: checkParams,
    parse(text) {
      let p: unknown;
      try {
        p = JSON.parse(text);
      } catch (e) {
        throw new SettingError('classic-params', `is not JSON (${(e as Error).message})`, text);
      }
      return checkParams(p);
    },
  },
  trainLabels: choiceSetting('train-labels', `the traditional classifiers' training labels: ${Object.keys(TRAIN_LABELS).join(' or ')} ("mondejar": e and j train as S, as Mondéjar-Guerra et al.'s loader; scores always use the protocol's AAMI labels)`, Object.keys(TRAIN_LABELS)),
};

/** True when the feature groups are the default (all three), so settings and reports can leave them out. */
export function isDefaultFeatures(f: FeatureOptions | undefined): boolean {
  return featureGroupsName(f) === 'beat+rr+morphology';
}
