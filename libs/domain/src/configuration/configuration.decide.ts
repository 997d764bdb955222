import { newEventId, type ConfiguredAction, type NumberConfiguration, type NumberConfigurationBody } from '@kite/contracts';

type BodyAction = NumberConfigurationBody['workingHours']['actions'][number];

/**
 * Contract: an action without an id gets one on save; an id sent back is kept. Ids are new ULIDs
 * prefixed `act_`, unique across the tenant.
 */
function withIds(actions: readonly BodyAction[], newId: () => string): ConfiguredAction[] {
  return actions.map((a) => ({ ...a, id: a.id ?? newId() }));
}

/** The configuration stored by a full, valid save (C7: the number becomes `configured`, C8). */
export function configurationToStore(body: NumberConfigurationBody, newId: () => string = () => `act_${newEventId()}`): NumberConfiguration {
  return {
    linkedServiceId: body.linkedServiceId,
    workingHours: { ...body.workingHours, actions: withIds(body.workingHours.actions, newId) },
    ...(body.outOfHours ? { outOfHours: { ...body.outOfHours, actions: withIds(body.outOfHours.actions, newId) } } : {}),
  };
}
