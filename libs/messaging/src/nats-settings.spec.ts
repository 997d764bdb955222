import { describe, expect, it } from '@jest/globals';
import { inboxPrefixOf, serversOf } from './connection.js';
import { loadNatsSettings } from './nats-settings.js';

describe('NATS settings from the environment', () => {
  it('defaults: one local server, no user, streams provisioned with one replica and no byte limits', () => {
    expect(loadNatsSettings({})).toEqual({
      url: 'nats://127.0.0.1:4222',
      credentials: { user: undefined, password: undefined, credsFile: undefined },
      streams: 'provision',
      limits: { replicas: 1, channelMaxBytes: -1, logMaxBytes: -1 },
    });
  });

  it('a cluster with a user, streams that only have to exist, three replicas and limits', () => {
    const settings = loadNatsSettings({ NATS_URL: 'nats://a:4222,nats://b:4222', NATS_USER: 'routing-service', NATS_PASSWORD: 'k123', KITE_STREAMS: 'existing', KITE_STREAM_REPLICAS: '3', KITE_CHANNEL_MAX_BYTES: '1073741824', KITE_LOG_MAX_BYTES: '-1' });
    expect(settings).toMatchObject({ credentials: { user: 'routing-service', password: 'k123' }, streams: 'existing', limits: { replicas: 3, channelMaxBytes: 1_073_741_824, logMaxBytes: -1 } });
  });

  it('refuses what it cannot use, naming each variable', () => {
    expect(() => loadNatsSettings({ KITE_STREAM_REPLICAS: '0', KITE_STREAMS: 'maybe', KITE_LOG_MAX_BYTES: '1000' })).toThrow(/KITE_STREAMS.*KITE_STREAM_REPLICAS.*KITE_LOG_MAX_BYTES must be -1 \(no limit\) or at least 1048576/s);
  });

  it('a user written in NATS_URL is taken out of the URL and used (the client ignores it there)', () => {
    expect(serversOf('nats://linking-service:s%3Acret@nats-1:4222,nats://nats-2:4222')).toEqual({ servers: ['nats://nats-1:4222', 'nats://nats-2:4222'], user: 'linking-service', password: 's:cret' });
    expect(serversOf('nats://127.0.0.1:4222')).toEqual({ servers: ['nats://127.0.0.1:4222'] });
  });

  it('replies come on an inbox of the user\'s own, a token of plain characters', () => {
    expect(inboxPrefixOf('pbx-gateway')).toBe('_INBOX.pbx-gateway');
    expect(inboxPrefixOf('kite test.1')).toBe('_INBOX.kite_test_1');
  });
});
