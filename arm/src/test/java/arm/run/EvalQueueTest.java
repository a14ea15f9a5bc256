package arm.run;

import static org.assertj.core.api.Assertions.assertThat;

import arm.method.Methods;
import arm.method.MethodsTest;
import arm.metrics.EvalPoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deferred and background evaluation ({@link EvalQueue}) evaluate a copy of f_cur taken at
 * iteration t: the points equal those of evaluating at once, for a method whose f_cur keeps
 * changing after t.
 */
class EvalQueueTest {
    @Test
    void deferredAndBackgroundPointsEqualImmediateOnes() {
        List<EvalPoint> now = run("now");
        for (String mode : new String[] {"defer", "background"}) {
            List<EvalPoint> later = run(mode);
            assertThat(later).as(mode).hasSize(now.size()).hasSizeGreaterThan(2);
            same(now, later);
        }
        // the model learns between evaluations, so equal points are not equal by accident
        assertThat(now.get(now.size() - 1).testPerClass()).isNotEqualTo(now.get(0).testPerClass());
    }

    /** A background evaluation's kernels serial or split over the workers: the same points. */
    @Test
    void backgroundKernelsSerialOrSplitGiveTheSamePoints() {
        String before = System.getProperty("arm.eval.kernels");
        try {
            System.setProperty("arm.eval.kernels", "split");
            List<EvalPoint> split = run("background");
            System.setProperty("arm.eval.kernels", "serial");
            same(split, run("background"));
        } finally {
            if (before == null) System.clearProperty("arm.eval.kernels");
            else System.setProperty("arm.eval.kernels", before);
        }
    }

    private static void same(List<EvalPoint> now, List<EvalPoint> later) {
        for (int i = 0; i < now.size(); i++) {
            EvalPoint a = now.get(i), b = later.get(i);
            assertThat(b.t()).isEqualTo(a.t());
            assertThat(b.seenClasses()).containsExactly(a.seenClasses());
            assertThat(b.valPerClass()).containsExactly(a.valPerClass());
            assertThat(b.testPerClass()).containsExactly(a.testPerClass());
        }
    }

    private static List<EvalPoint> run(String mode) {
        String before = System.getProperty("arm.eval");
        System.setProperty("arm.eval", mode);
        try {
            return Methods.create("Naive", MethodsTest.small())
                    .run(MethodsTest.DATA, 5, ProgressListener.NONE)
                    .evals();
        } finally {
            if (before == null) System.clearProperty("arm.eval");
            else System.setProperty("arm.eval", before);
        }
    }
}
