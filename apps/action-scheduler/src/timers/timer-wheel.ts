import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { subjects } from '@kite/contracts';
import { actions, actionsOf, activityAfterRun, configurationInForce, plannedTimers } from '@kite/domain';
import { CONVERSATION_LOG, type ConversationLog } from '@kite/messaging';
import { listen, tryAdvisoryLock, type DataSource, type EntityManager, type Listening } from '@kite/persistence';
import { DATA_SOURCE, faultPoint, findNumber, metricsRegistry, SERVICE_CONFIG, type ServiceConfig } from '@kite/service-kit';
import { ACTIVITY_PROJECTION, loadActivity, saveActivity } from '../activity/activity-store.js';
import { TimerLoop } from './timer-loop.js';
import { armTimers, cancelTimers, pendingTimers, TIMERS_ARMED_CHANNEL, type Timer } from './timer-store.js';

const fireLag = new Histogram({ name: 'kite_timer_fire_lag_seconds', help: 'Fired minus due', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers: [metricsRegistry] });
const fired = new Counter({ name: 'kite_timers_fired_total', help: 'Timers fired (their action ran)', registers: [metricsRegistry] });

/** A timer whose conversation's newest entries are not projected yet waits this long and looks again. */
const CATCH_UP_MS = 100;
/**
 * The loop sleeps until the next due timer; a timer armed earlier by any instance wakes it through
 * the notice its transaction sends on commit. It looks anyway this often: a notice missed while the
 * listening connection was down.
 */
const LONGEST_SLEEP_MS = 30_000;

/**
 * Fires the durable timers: the actions decider says whether the action runs now (A7), the run is
 * recorded (TimerFired and the task, A3–A6), and the conversation's timers are made to follow its
 * state, in the transaction that claimed the timer.
 */
@Injectable()
export class TimerWheel implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TimerWheel');
  private readonly loop: TimerLoop;
  private notices: Listening | undefined;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONVERSATION_LOG) private readonly log: ConversationLog,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    this.loop = new TimerLoop({
      pollMs: LONGEST_SLEEP_MS,
      transaction: (work) => this.ds.transaction((tx) => work(tx)),
      fire: (tx, timer, now) => this.fire(tx as EntityManager, timer, now),
      onFired: (_timer, lagMs) => fireLag.observe(Math.max(0, lagMs) / 1000),
      onError: (e) => this.logger.error(`a timer failed, retried in 30 s: ${String(e)}`),
    });
    const dataSource = this.ds;
    new Gauge({
      name: 'kite_timers_pending',
      help: 'Timers armed and not fired yet',
      registers: [metricsRegistry],
      async collect() {
        if (dataSource.isInitialized) this.set(await pendingTimers(dataSource));
      },
    });
  }

  onApplicationBootstrap(): void {
    this.notices = listen(this.config.databaseUrl, TIMERS_ARMED_CHANNEL, (payload) => this.loop.wake(Number(payload)), () => this.loop.wake());
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.notices?.close();
    await this.loop.stop();
  }

  /** A timer was armed due at `due`: the loop must not sleep past it. */
  armed(due: number): void {
    this.loop.wake(due);
  }

  private async fire(tx: EntityManager, timer: Timer, now: number): Promise<void> {
    const subject = subjects.conversation(timer.tenant, timer.conversationId);
    const key = { conversationId: timer.conversationId, actionId: timer.actionId };
    // The projection's lock: while the timer fires, the activity cannot change under it.
    const attempt = tryAdvisoryLock(ACTIVITY_PROJECTION, subject);
    const locked = ((await tx.query(attempt.sql, attempt.params)) as { locked: boolean }[])[0]?.locked === true;
    const stored = locked ? await loadActivity(tx, timer.conversationId) : undefined;
    if (!locked || (stored?.position ?? 0) < (await this.log.tail(subject))) {
      await armTimers(tx, [{ ...timer, dueAt: now + CATCH_UP_MS }]);
      return;
    }
    if (!stored) return cancelTimers(tx, [key]);
    const number = stored.number === undefined ? undefined : await findNumber(tx, timer.tenant, stored.number);
    const configured = actionsOf(configurationInForce(number));
    const run = actions.decide({ type: 'FireTimer', tenant: timer.tenant, conversationId: timer.conversationId, actionId: timer.actionId, actions: configured, now }, stored.activity);
    const activity = activityAfterRun(stored.activity, run);
    if (run.length) {
      await this.log.record([{ subject, events: run }]);
      faultPoint('scheduler:after-append');
      await saveActivity(tx, timer.conversationId, { ...stored, activity });
      fired.inc();
    }
    // The timer follows the state: it goes once run or no longer armed; one that moved waits again.
    // Only this timer: the conversation's others may be claimed by another instance.
    const due = plannedTimers(configured, activity).get(timer.actionId);
    await (due === undefined ? cancelTimers(tx, [key]) : armTimers(tx, [{ ...timer, dueAt: due }]));
  }
}
