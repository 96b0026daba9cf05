/** `storage.raw: postgres` in the config: what is required, and the errors when it is not there. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/project/load-config.ts';
import { openRawStore } from '../../../src/storage/open-store.ts';
import { resolveWarehouseSettings } from '../../../src/storage/postgres/settings.ts';
import { shippedProject } from '../../helpers/shipped.ts';
import type { TempProject } from '../../helpers/project.ts';

let p: TempProject | undefined;
afterEach(() => p?.remove());

function configWith(storage: string) {
  p = shippedProject();
  p.write('configs/x.yaml', p.read('configs/dev.yaml').replace(/^storage:\n(  .*\n)+/m, `storage:\n${storage}`));
  return loadConfig('configs/x.yaml', p.root);
}

describe('warehouse source settings', () => {
  it('reads the URL from the named variable and defaults the rest', () => {
    const s = resolveWarehouseSettings(configWith('  raw: postgres\n  warehouse_source: { url_env: SRC, outcomes: "select * from e" }\n'), { SRC: 'postgres://a@h/db' });
    expect(s.url).toBe('postgres://a@h/db');
    expect([...s.relations]).toEqual([['outcomes', 'select * from e']]);
    expect(s.probe).toEqual({ kind: 'content' });
    expect(s.batchRows).toBe(50_000);
  });

  it('refuses postgres without warehouse_source, or with no table, before connecting', async () => {
    await expect(openRawStore(configWith('  raw: postgres\n'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('storage.warehouse_source is missing') });
    p!.remove();
    await expect(openRawStore(configWith('  raw: postgres\n  warehouse_source: { url_env: SRC }\n'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('names no table') });
  });

  it('an unknown raw store and a bad change_column are config errors', () => {
    expect(() => configWith('  raw: mysql://x\n')).toThrow(/expected file:\/\/<folder>, s3:\/\/<bucket>\/<prefix> or postgres/);
    p!.remove();
    expect(() => configWith('  raw: postgres\n  warehouse_source: { exposures: e, change_column: "a; drop" }\n')).toThrow(/expected a column name/);
  });

  it('unload: an s3:// target, trailing slashes dropped; anything else is a config error', () => {
    const s = resolveWarehouseSettings(configWith('  raw: postgres\n  warehouse_source: { url_env: SRC, exposures: e, unload: { to: "s3://b/u/" } }\n'), { SRC: 'postgres://a@h/db' });
    expect(s.unload).toEqual({ uri: 's3://b/u', iamRole: undefined });
    p!.remove();
    expect(() => configWith('  raw: postgres\n  warehouse_source: { exposures: e, unload: { to: "/tmp/x" } }\n')).toThrow(/expected s3:\/\/<bucket>\/<prefix>/);
  });
});
