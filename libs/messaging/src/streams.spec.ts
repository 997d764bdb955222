import { describe, expect, it } from '@jest/globals';
import { settingsOver, streamConfigs } from './streams.js';

describe('the settings a start gives an existing stream', () => {
  const conversations = (replicas: number) => streamConfigs({ replicas, channelMaxBytes: -1, logMaxBytes: -1 }).find((c) => c.name === 'KITE_CONV')!;

  it('raises its replicas to the configured number', () => {
    expect(settingsOver({ num_replicas: 1 }, conversations(3), false)).toMatchObject({ num_replicas: 3 });
  });

  it('keeps more replicas than a service asks for: a start without KITE_STREAM_REPLICAS does not bring a cluster down to one copy', () => {
    const kept = settingsOver({ num_replicas: 3 }, conversations(1), false);
    expect(kept).toEqual({ ...conversations(1), num_replicas: 3 });
  });

  it('lowers them when the operators ask (npm run streams)', () => {
    expect(settingsOver({ num_replicas: 3 }, conversations(1), true)).toMatchObject({ num_replicas: 1 });
  });
});
