import { z } from 'zod';
import { CalendarDate, ExternalId } from './primitives.js';
import { TemplateRef } from './whatsapp-templates.js';

/** The body of `PUT /v1/numbers/{number}` (docs/contract.md; rules C2–C5). */
export const RoutingTarget = z.discriminatedUnion('type', [
  z.object({ type: z.literal('agent'), agentId: ExternalId }),
  z.object({ type: z.literal('group'), serviceId: ExternalId }),
  z.object({ type: z.literal('bot'), botId: ExternalId }),
]);
export type RoutingTarget = z.infer<typeof RoutingTarget>;

export const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const ScheduleDays = z.enum(['weekdays', 'weekends', 'everyday', ...WEEKDAY_NAMES]);
export type ScheduleDays = z.infer<typeof ScheduleDays>;

export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:mm between 00:00 and 23:59');
export const LocalDate = CalendarDate;

/** `GMT-03:00`, `GMT+05:30`, or an IANA zone name; whether the name is known is checked by the domain. */
export const TimeZoneName = z.string().min(1).max(64);

export const ScheduleRule = z.object({ days: ScheduleDays, from: LocalTime, to: LocalTime });
export type ScheduleRule = z.infer<typeof ScheduleRule>;

export const Schedule = z.object({
  timeZone: TimeZoneName,
  rules: z.array(ScheduleRule).max(50),
  closures: z.array(LocalDate).max(1000).default([]),
});
export type Schedule = z.infer<typeof Schedule>;

/** `window_closing` (W5): the WhatsApp window closes within `afterSeconds`. */
export const ConditionType = z.enum(['no_reply', 'not_read', 'no_activity', 'window_closing']);
export const Condition = z.object({ type: ConditionType, afterSeconds: z.number().int().min(5).max(86_400) });
export type Condition = z.infer<typeof Condition>;

export const Task = z.discriminatedUnion('type', [
  /** `fallbackTemplate` (W4): sent instead of `text` when the conversation's WhatsApp window is closed. */
  z.object({ type: z.literal('send_message'), botId: ExternalId, text: z.string().min(1).max(1600), fallbackTemplate: TemplateRef.optional() }),
  z.object({ type: z.literal('add_members'), agentIds: z.array(ExternalId).min(1).max(100) }),
]);
export type Task = z.infer<typeof Task>;

export const Action = z.object({
  id: ExternalId.optional(),
  onlyOnce: z.boolean().default(false),
  conditions: z.array(Condition).max(3).default([]),
  task: Task,
});
export type ActionInput = z.input<typeof Action>;

export const WorkingHoursPart = z.object({
  routing: RoutingTarget,
  schedule: Schedule,
  actions: z.array(Action).max(20).default([]),
});
export const OutOfHoursPart = z.object({
  routing: RoutingTarget,
  actions: z.array(Action).max(20).default([]),
});

export const NumberConfigurationBody = z.object({
  linkedServiceId: ExternalId,
  workingHours: WorkingHoursPart,
  outOfHours: OutOfHoursPart.optional(),
});
export type NumberConfigurationBody = z.infer<typeof NumberConfigurationBody>;

/** A stored configuration: every action has its stable id. */
export const ConfiguredAction = Action.extend({ id: ExternalId });
export type ConfiguredAction = z.infer<typeof ConfiguredAction>;
export const NumberConfiguration = z.object({
  linkedServiceId: ExternalId,
  workingHours: WorkingHoursPart.extend({ actions: z.array(ConfiguredAction) }),
  outOfHours: OutOfHoursPart.extend({ actions: z.array(ConfiguredAction) }).optional(),
});
export type NumberConfiguration = z.infer<typeof NumberConfiguration>;

export const NumberStatus = z.enum(['not_configured', 'partially_configured', 'configured']);
export type NumberStatus = z.infer<typeof NumberStatus>;

/** `POST /v1/migrations/call-groups` (C8). */
export const CallGroupMigration = z.object({
  callGroups: z.array(z.object({ serviceId: ExternalId, numbers: z.array(z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 number such as +15551234567')).min(1).max(1000) })).min(1).max(1000),
});
export type CallGroupMigration = z.infer<typeof CallGroupMigration>;
