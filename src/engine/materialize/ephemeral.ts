import type { Materializer } from './types.ts';

/** Never built: `ref` inlines its SQL into the models that use it. */
export const ephemeralMaterializer: Materializer = {
  kind: 'ephemeral',
  async build() {
    return 0;
  },
};
