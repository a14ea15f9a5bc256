package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The backward's weight-gradient jobs ({@link ContinualMethod#backwardBeside}): drained by the
 * partner while the caller posts them, then by both once the caller has posted the last. Every job
 * runs exactly once and both takers stop at the end, whoever takes it first.
 */
@Timeout(20) // a taker that misses the end blocks: fail instead of hanging the build
class JobQueueTest {
    @Test
    void twoTakersRunEveryJobOnceAndBothStop() throws Exception {
        for (int round = 0; round < 50; round++) {
            JobQueue jobs = new JobQueue();
            AtomicIntegerArray runs = new AtomicIntegerArray(200);
            Thread partner = new Thread(jobs::drain);
            partner.setDaemon(true); // a stuck taker must not keep the test JVM alive
            partner.start();
            for (int i = 0; i < runs.length(); i++) {
                int job = i;
                jobs.post(
                        () -> {
                            runs.incrementAndGet(job);
                            spin(job % 7 * 2_000);
                        });
            }
            jobs.end();
            jobs.drain(); // the poster takes what is still queued
            partner.join(10_000);
            assertThat(partner.isAlive())
                    .as("partner stopped at the end, round " + round)
                    .isFalse();
            for (int i = 0; i < runs.length(); i++)
                assertThat(runs.get(i)).as("job " + i + ", round " + round).isEqualTo(1);
        }
    }

    @Test
    void aTakerThrowsTheFailureOfAJobItRanAfterReachingTheEnd() throws Exception {
        JobQueue jobs = new JobQueue();
        jobs.post(
                () -> {
                    throw new IllegalStateException("job 0 failed");
                });
        jobs.post(() -> {});
        jobs.end();
        AtomicReference<Throwable> partnerFailure = new AtomicReference<>();
        Thread partner =
                new Thread(
                        () -> {
                            try {
                                jobs.drain();
                            } catch (RuntimeException e) {
                                partnerFailure.set(e);
                            }
                        });
        partner.setDaemon(true);
        partner.start();
        partner.join(10_000);
        assertThat(partner.isAlive()).isFalse();
        assertThat(partnerFailure.get()).hasMessage("job 0 failed");
        jobs.drain(); // nothing left but the end: returns at once
    }

    @Test
    void aDrainAfterTheEndWasTakenReturns() {
        JobQueue jobs = new JobQueue();
        jobs.end();
        jobs.drain();
        jobs.drain(); // the end stays for every later taker
    }

    @Test
    void aSingleTakerThrowsTheFailureAfterTheEnd() {
        JobQueue jobs = new JobQueue();
        jobs.post(
                () -> {
                    throw new IllegalArgumentException("bad");
                });
        jobs.end();
        assertThatThrownBy(jobs::drain)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad");
    }

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) Thread.onSpinWait();
    }
}
