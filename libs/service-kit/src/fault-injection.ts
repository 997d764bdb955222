/**
 * Crash tests need a process to die at an exact point (after its append, before its ack). With
 * KITE_FAULT_INJECTION naming that point, the process kills itself there with SIGKILL, as a power
 * cut would. Unset in every real deployment; costs one comparison otherwise.
 */
const armed = process.env.KITE_FAULT_INJECTION;

export function faultPoint(name: string): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
