package arm.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cap on all threads' pools together: arrays past it go to the GC unless a thread's steps reuse
 * them (up to twice its largest step, under three times the cap), and a cleared pool frees its
 * share.
 */
class HostPoolTest {
    private long oldCap;

    @BeforeEach
    void smallCap() {
        HostPool.clear();
        oldCap = HostPool.cap(1_000);
    }

    @AfterEach
    void restore() {
        HostPool.clear();
        HostPool.cap(oldCap);
    }

    @Test
    void arraysPastTheCapOfAllThreadsGoToTheGc() throws InterruptedException {
        HostPool.give(new float[600]);
        assertThat(HostPool.pooledFloats()).isEqualTo(600);
        long[] other = new long[2];
        Thread t =
                new Thread(
                        () -> {
                            HostPool.give(new float[600]); // 1,200 > 1,000: refused
                            other[0] = HostPool.pooledFloats();
                            HostPool.give(new float[400]); // exactly 1,000: kept
                            other[1] = HostPool.pooledFloats();
                            HostPool.clear();
                        });
        t.start();
        t.join();
        assertThat(other).containsExactly(0, 400);
        HostPool.give(new float[400]); // the other thread's clear gave its 400 back
        assertThat(HostPool.pooledFloats()).isEqualTo(1_000);
    }

    @Test
    void takingAnArrayAndClearingFreeTheirShare() {
        HostPool.give(new float[700]);
        assertThat(HostPool.take(700, true)).hasSize(700);
        HostPool.give(new float[900]); // the 700 taken out no longer count
        assertThat(HostPool.pooledFloats()).isEqualTo(900);
        HostPool.clear();
        HostPool.give(new float[1_000]);
        assertThat(HostPool.pooledFloats()).isEqualTo(1_000);
    }

    @Test
    void aThreadKeepsTwiceItsLargestStepPastTheCapButNeverThreeTimesTheCap() {
        HostPool.returning(700);
        HostPool.give(new float[700]);
        HostPool.give(new float[600]); // 1,300 > 1,000 but within twice the step of 700: kept
        assertThat(HostPool.pooledFloats()).isEqualTo(1_300);
        HostPool.give(new float[200]); // 1,500 > twice the step: refused
        assertThat(HostPool.pooledFloats()).isEqualTo(1_300);
        HostPool.returning(2_000);
        HostPool.give(new float[1_600]); // 2,900, within three times the cap: kept
        HostPool.give(new float[200]); // 3,100 > three times the cap: refused
        assertThat(HostPool.pooledFloats()).isEqualTo(2_900);
        assertThat(HostPool.heldFloats()).isEqualTo(2_900);
        assertThat(HostPool.stepFloats()).isEqualTo(2_000);
    }

    @Test
    void aRecyclingScopeDeclaresWhatItHandsBack() {
        try (Scope s = Scope.recycling()) {
            for (int i = 0; i < 3; i++) Scope.track(Tensor.of(Scope.hostArray(500, true), 500));
        }
        assertThat(HostPool.pooledFloats()).isEqualTo(1_500); // past the cap of 1,000: a step
    }
}
