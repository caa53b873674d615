import { addWorkingTime } from '../../shared/working-hours';

const HOURS = { start: '09:00', end: '18:00', days: [1, 2, 3, 4, 5] };
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('working hours', () => {
  it('counts only working time in the employee’s time zone', () => {
    // Friday 17:30 in Lisbon (UTC+0 in November): 30 min left on Friday, the rest from Monday 09:00.
    expect(iso(addWorkingTime(at('2026-11-20T17:30:00Z'), 60 * 60_000, HOURS, 'Europe/Lisbon'))).toBe(
      '2026-11-23T09:30:00.000Z',
    );
    // The same instant is 12:30 in New York: an hour later, the same day.
    expect(iso(addWorkingTime(at('2026-11-20T17:30:00Z'), 60 * 60_000, HOURS, 'America/New_York'))).toBe(
      '2026-11-20T18:30:00.000Z',
    );
  });

  it('starts counting at the next opening when the alert comes at night', () => {
    // 02:00 Tuesday in Tokyo is 17:00 Monday UTC; 15 working minutes end at 09:15 Tokyo (00:15 UTC).
    expect(iso(addWorkingTime(at('2026-11-23T17:00:00Z'), 15 * 60_000, HOURS, 'Asia/Tokyo'))).toBe(
      '2026-11-24T00:15:00.000Z',
    );
  });

  it('falls back to UTC for an unknown time zone', () => {
    expect(iso(addWorkingTime(at('2026-11-23T08:00:00Z'), 30 * 60_000, HOURS, 'Not/AZone'))).toBe(
      '2026-11-23T09:30:00.000Z',
    );
  });
});
