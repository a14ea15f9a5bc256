package arm.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The report's per-run drawing tasks: results in the items' order, failures after all ended. */
class ReportInParallelTest {

    @Test
    void resultsComeInTheItemsOrderForEveryThreadCount() throws IOException {
        List<Integer> items = IntStream.range(0, 23).boxed().toList();
        List<String> expected = items.stream().map(i -> "run" + i).toList();
        for (int threads : new int[] {1, 2, 3, 8, 64}) {
            // later items finish first: a pool that kept completion order would reorder them
            List<String> got =
                    Report.inParallel(
                            items,
                            threads,
                            i -> {
                                sleepMillis((23 - i) % 4);
                                return "run" + i;
                            });
            assertThat(got).as("threads " + threads).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void theFirstFailureInItemOrderIsThrownOnceEveryTaskHasEnded() {
        for (int threads : new int[] {1, 2, 4}) {
            List<Integer> done = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(
                            () ->
                                    Report.inParallel(
                                            List.of(0, 1, 2, 3, 4, 5),
                                            threads,
                                            i -> {
                                                calls.incrementAndGet();
                                                if (i == 2) throw new IOException("figure 2");
                                                if (i == 4) throw new IllegalStateException("4");
                                                sleepMillis(2);
                                                done.add(i);
                                                return i;
                                            }))
                    .as("threads " + threads)
                    .isInstanceOf(IOException.class)
                    .hasMessage("figure 2");
            if (threads == 1) {
                assertThat(done).containsExactly(0, 1); // one after another: stops at the failure
            } else {
                // every task ran to its end before the failure was thrown: no thread still draws
                assertThat(calls.get()).isEqualTo(6);
                assertThat(done).containsExactlyInAnyOrder(0, 1, 3, 5);
            }
        }
    }

    private static void sleepMillis(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
