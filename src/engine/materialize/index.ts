import type { Materialization } from '../../project/types.ts';
import { ephemeralMaterializer } from './ephemeral.ts';
import { partitionedMaterializer } from './partitioned.ts';
import { tableMaterializer } from './table.ts';
import type { Materializer } from './types.ts';
import { viewMaterializer } from './view.ts';

export type { Materializer, MaterializeRequest } from './types.ts';

export const materializers: Readonly<Record<Materialization, Materializer>> = {
  view: viewMaterializer,
  table: tableMaterializer,
  ephemeral: ephemeralMaterializer,
  partitioned: partitionedMaterializer,
};
