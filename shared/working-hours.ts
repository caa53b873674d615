/**
 * Working-hours arithmetic: "15 minutes of the employee's working time after `start`", in their time
 * zone. Used to plan reminders and the deadline when a policy asks for working hours.
 */
export interface WorkingHours {
  start: string; // HH:MM
  end: string; // HH:MM
  days: number[]; // ISO weekdays, 1 = Monday
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const MINUTE = 60_000;

function localClock(formatter: Intl.DateTimeFormat, at: number): { day: number; minutes: number } {
  const parts = Object.fromEntries(formatter.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour) % 24;
  return { day: WEEKDAYS[parts.weekday ?? ''] ?? 0, minutes: hour * 60 + Number(parts.minute) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The instant when `workMs` of working time has passed since `startMs` (minute precision). */
export function addWorkingTime(
  startMs: number,
  workMs: number,
  hours: WorkingHours,
  timeZone: string,
): number {
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: 'UTC',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  }
  const open = toMinutes(hours.start);
  const close = toMinutes(hours.end);
  let remaining = Math.ceil(workMs / MINUTE);
  let at = Math.ceil(startMs / MINUTE) * MINUTE;
  const limit = at + 60 * 86_400_000; // a policy with no working minute at all cannot loop forever
  while (remaining > 0 && at < limit) {
    const { day, minutes } = localClock(formatter, at);
    if (hours.days.includes(day) && minutes >= open && minutes < close) remaining -= 1;
    at += MINUTE;
  }
  return at;
}
