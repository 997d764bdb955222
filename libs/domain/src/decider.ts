/**
 * The one shape of a set of rules: from the state its events left, a command decides the next
 * events. Time and whatever the rules must know besides the state (configuration, the directory)
 * come in the command, so `decide` and `evolve` are pure. The state evolves from events; where it
 * needs more than an event says (the actions need the period a contact message came in), from the
 * fact its adapter reads in the event (`Fact`).
 */
export interface Decider<Command, Event, State, Fact = Event> {
  readonly initialState: State;
  decide(command: Command, state: State): readonly Event[];
  evolve(state: State, fact: Fact): State;
}

/** The state the facts leave, from the initial one. */
export function stateAfter<Command, Event, State, Fact>(decider: Decider<Command, Event, State, Fact>, facts: readonly Fact[]): State {
  return facts.reduce((state, fact) => decider.evolve(state, fact), decider.initialState);
}

/**
 * A rule read as it is written: `given(decider, events).when(command)` is what the decider decides
 * after those events (a test then says which events it expects).
 */
export function given<Command, Event, State, Fact>(decider: Decider<Command, Event, State, Fact>, facts: readonly Fact[]): { when(command: Command): readonly Event[] } {
  return { when: (command) => decider.decide(command, stateAfter(decider, facts)) };
}
