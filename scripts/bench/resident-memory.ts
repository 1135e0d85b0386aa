/** A process's resident memory as the system sees it (VmRSS, from /proc: Linux). */
import { readFileSync } from 'node:fs';

/** VmRSS of a process, in bytes (null once it has exited). */
export function residentBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
