export * from './working-hours/time-zone.js';
export * from './working-hours/working-hours.js';
export * from './phone/phone-number.js';
export * from './linking/conversation-id.js';
export * from './linking/linking.js';
export * from './linking/linking.decide.js';
export * from './routing/routing.js';
export * from './routing/routing.decide.js';
