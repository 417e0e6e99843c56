// AvgPool2D: the mean over each window, padded zeros included.
import { poolDef, type PoolSpec } from './pool.ts';

export type Avgpool2dSpec = PoolSpec<'avgpool2d'>;
export const avgpool2d = poolDef('avgpool2d', 'avg', 'AvgPool2D', 'Mean over each window');
