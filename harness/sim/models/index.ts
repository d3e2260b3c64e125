import type { PersistenceModel } from '../fs.js';
import { ext4OrderedModel } from './ext4-ordered.js';
import { posixModel } from './posix.js';

/** Every persistence model, by the name given to `sim --model`. */
export const persistenceModels = {
  posix: posixModel,
  'ext4-ordered': ext4OrderedModel,
} satisfies Record<string, PersistenceModel>;

export type ModelName = keyof typeof persistenceModels;
export const modelNames = Object.keys(persistenceModels) as ModelName[];
