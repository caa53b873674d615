import type { Collection } from 'mongodb';

/**
 * The three races FerretDB v1 loses on its own (an update is a read, a change and a write with nothing
 * held between them), as Vouch's data layer makes them. Each returns what was lost, so the embedded
 * server's test asserts on it and the store benchmark prints it.
 */
export interface RaceDoc {
  _id: string;
  state?: string;
  by?: number;
  items?: number[];
  n?: number;
}

/** Three conditional findOneAndUpdates race for one open document, `rounds` times. */
export async function raceConditionalClaims(
  docs: Collection<RaceDoc>,
  rounds = 20,
): Promise<{ rounds: number; roundsWithoutOneWinner: number; winnerNotKept: number }> {
  let roundsWithoutOneWinner = 0;
  let winnerNotKept = 0;
  for (let round = 0; round < rounds; round++) {
    const _id = `claim-${round}`;
    await docs.insertOne({ _id, state: 'open' });
    const results = await Promise.all(
      [1, 2, 3].map((by) => docs.findOneAndUpdate({ _id, state: 'open' }, { $set: { state: 'taken', by } })),
    );
    const winners = results.flatMap((before, i) => (before ? [i + 1] : []));
    if (winners.length !== 1) roundsWithoutOneWinner++;
    else if ((await docs.findOne({ _id }))?.by !== winners[0]) winnerNotKept++;
  }
  return { rounds, roundsWithoutOneWinner, winnerNotKept };
}

/**
 * 100 concurrent `$set` and `$push` of one document. A filter naming the `_id` holds the document; `$in`
 * holds the whole collection: both must exclude each other.
 */
export async function raceSetAndPush(
  docs: Collection<RaceDoc>,
): Promise<{ updates: number; lost: number; items: number[] }> {
  const _id = 'mixed';
  await docs.insertOne({ _id, items: [] });
  await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      i % 2
        ? docs.updateOne({ _id }, { $set: { [`f${i}`]: i } as Partial<RaceDoc> })
        : i % 4
          ? docs.updateOne({ _id }, { $push: { items: i } })
          : docs.updateMany({ _id: { $in: [_id] } }, { $push: { items: i } }),
    ),
  );
  const doc = await docs.findOne({ _id });
  const kept = (doc?.items?.length ?? 0) + Object.keys(doc ?? {}).filter((k) => /^f\d+$/.test(k)).length;
  return { updates: 100, lost: 100 - kept, items: [...(doc?.items ?? [])].sort((a, b) => a - b) };
}

/** 50 concurrent `$push` with `$slice` (and an `$inc` counting them) of one document. */
export async function racePushWithSlice(
  docs: Collection<RaceDoc>,
): Promise<{ updates: number; lost: number; items: number[] }> {
  const _id = 'sliced';
  await docs.insertOne({ _id, items: [], n: 0 });
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      docs.updateOne({ _id }, { $push: { items: { $each: [i], $slice: -20 } }, $inc: { n: 1 } }),
    ),
  );
  const doc = await docs.findOne({ _id });
  return { updates: 50, lost: 50 - (doc?.n ?? 0), items: [...(doc?.items ?? [])].sort((a, b) => a - b) };
}
