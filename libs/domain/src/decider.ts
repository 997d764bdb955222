/**
 * The one shape of a set of rules: from the state its events left, a command decides the next
 * events. Time and whatever the rules must know besides the state (configuration, the directory)
 * come in the command, so `decide` and `evolve` are pure.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: State;
  decide(command: Command, state: State): readonly Event[];
  evolve(state: State, event: Event): State;
}

/** The state the events leave, from the initial one. */
export function stateAfter<Command, Event, State>(decider: Decider<Command, Event, State>, events: readonly Event[]): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState);
}

/**
 * A rule read as it is written: `given(decider, events).when(command)` is what the decider decides
 * after those events (a test then says which events it expects).
 */
export function given<Command, Event, State>(decider: Decider<Command, Event, State>, events: readonly Event[]): { when(command: Command): readonly Event[] } {
  return { when: (command) => decider.decide(command, stateAfter(decider, events)) };
}
