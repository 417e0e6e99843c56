// Rewrites the README's layer list from the layer registry (kernels/layers/docs.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLayerList } from '../kernels/layers/docs.ts';

const file = join(import.meta.dirname, '..', 'README.md');
writeFileSync(file, withLayerList(readFileSync(file, 'utf8')));
