// MaxPool2D: the maximum over each window (backward routes the gradient to the recorded argmax).
import { poolDef, type PoolSpec } from './pool.ts';

export type Maxpool2dSpec = PoolSpec<'maxpool2d'>;
export const maxpool2d = poolDef('maxpool2d', 'max', 'MaxPool2D', 'Maximum over each window');
