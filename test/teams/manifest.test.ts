import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const dir = path.join(__dirname, '../../teams');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<
  string,
  unknown
>;
// Microsoft's schema for the manifest's version (teams/schema/SOURCE.md says where it comes from).
const schema = JSON.parse(
  fs.readFileSync(path.join(dir, 'schema/MicrosoftTeams.v1.24.schema.json'), 'utf8'),
) as Record<string, unknown>;

function validate(m: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const check = ajv.compile(schema);
  return check(m) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** PNG width and height, from the IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const png = fs.readFileSync(path.join(dir, file));
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the Teams app manifest (teams/manifest.json)', () => {
  it("is valid against Microsoft's published schema for its manifest version", () => {
    expect(manifest.manifestVersion).toBe('1.24');
    expect(manifest.$schema).toBe(
      'https://developer.microsoft.com/json-schemas/teams/v1.24/MicrosoftTeams.schema.json',
    );
    expect(validate(manifest)).toEqual([]);
  });

  it('catches a manifest the schema refuses', () => {
    const bots = manifest.bots as Record<string, unknown>[];
    const broken = {
      ...manifest,
      accentColor: 'blue',
      bots: [{ ...bots[0], botId: undefined, scopes: ['everywhere'] }],
    };
    const problems = validate(JSON.parse(JSON.stringify(broken)));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/accentColor /),
        expect.stringMatching(/^\/bots\/0 must have required property 'botId'/),
        expect.stringMatching(/^\/bots\/0\/scopes\/0 /),
      ]),
    );
  });

  it('is a bot for personal chats and teams, whose id is the app id, with icons of the sizes Teams needs', () => {
    const [bot] = manifest.bots as { botId: string; scopes: string[] }[];
    expect(bot?.botId).toBe(manifest.id);
    expect(bot?.scopes).toEqual(['personal', 'team']);
    const icons = manifest.icons as { color: string; outline: string };
    expect(pngSize(icons.color)).toEqual({ width: 192, height: 192 });
    expect(pngSize(icons.outline)).toEqual({ width: 32, height: 32 });
  });
});
