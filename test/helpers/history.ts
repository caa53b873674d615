/** Payload data in history is base64: decode every `data` field so a leak in a payload is visible too. */
export function extractPayloads(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v)) {
      if (k === 'data' && typeof child === 'string') out.push(Buffer.from(child, 'base64').toString());
      else if (k === 'data' && child && typeof child === 'object' && 'length' in child)
        out.push(Buffer.from(child as Uint8Array).toString());
      else walk(child);
    }
  };
  walk(value);
  return out.join('\n');
}
