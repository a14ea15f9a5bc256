package arm.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The content-keyed cache of uploaded index / count arrays, over a stand-in allocator. */
class DeviceIntsTest {
    final List<String> log = new ArrayList<>();
    int next;

    DeviceInts<Integer> cache(int capacity) {
        return new DeviceInts<>(
                capacity,
                (host, asFloat) -> {
                    log.add("upload " + Arrays.toString(host) + (asFloat ? " f" : " i"));
                    return next++;
                },
                (p, n) -> log.add("free " + p + " (" + n + ")"),
                (host, asFloat, p) ->
                        log.add(
                                "write "
                                        + Arrays.toString(host)
                                        + (asFloat ? " f" : " i")
                                        + " "
                                        + p));
    }

    @Test
    void equalContentIsUploadedOnceEvenFromAnotherArray() {
        DeviceInts<Integer> c = cache(4);
        int[] labels = {3, 1, 4};
        assertThat(c.get(labels, false)).isEqualTo(0);
        assertThat(c.get(new int[] {3, 1, 4}, false)).isEqualTo(0);
        assertThat(c.get(labels, true)).isEqualTo(1); // floats are another copy
        assertThat(c.uploads()).isEqualTo(2);
        assertThat(c.hits()).isEqualTo(1);
    }

    @Test
    void aCallerChangingItsArrayGetsAFreshCopy() {
        DeviceInts<Integer> c = cache(4);
        int[] a = {1, 2};
        c.get(a, false);
        a[0] = 9;
        assertThat(c.get(a, false)).isEqualTo(1);
        assertThat(c.get(new int[] {1, 2}, false)).isEqualTo(0);
    }

    @Test
    void theLeastRecentlyUsedIsFreedBeyondCapacity() {
        DeviceInts<Integer> c = cache(2);
        c.get(new int[] {1}, false); // 0
        c.get(new int[] {2}, false); // 1
        c.get(new int[] {1}, false); // hit: {2} is now the eldest
        c.get(new int[] {3}, false); // 2, frees {2}
        assertThat(c.size()).isEqualTo(2);
        assertThat(log)
                .containsExactly("upload [1] i", "upload [2] i", "upload [3] i", "free 1 (1)");
    }

    /**
     * A graph's copies (fetched while it was recorded) outlive any number of other contents until
     * the graph is released: its replays read their baked pointers without asking the cache.
     */
    @Test
    void copiesRecordedForAGraphAreHeldUntilItIsReleased() {
        DeviceInts<Integer> c = cache(2);
        c.get(new int[] {7}, true); // 0, fetched before: held only if fetched again while recording
        c.record();
        c.get(new int[] {7}, true); // hit, recorded
        c.get(new int[] {8}, false); // 1, recorded
        List<Object> graph = c.recorded();
        c.hold(graph);
        for (int v = 0; v < 5; v++) c.get(new int[] {100 + v}, false); // 2..6
        assertThat(log).doesNotContain("free 0 (1)", "free 1 (1)");
        assertThat(c.get(new int[] {7}, true)).isEqualTo(0);
        assertThat(c.get(new int[] {8}, false)).isEqualTo(1);
        c.release(graph);
        // beyond capacity again: the unheld eldest ({104}; {7} and {8} were just used) goes
        assertThat(c.size()).isEqualTo(2);
        assertThat(log).endsWith("free 6 (1)");
    }

    /**
     * A fixed input: one buffer per form at a fixed pointer, whatever the contents; a write copies
     * the new contents into the buffers made so far; a release frees them.
     */
    @Test
    void aFixedInputKeepsItsPointerAndIsRewrittenInPlace() {
        DeviceInts<Integer> c = cache(1);
        int[] slot = {3, 1};
        c.write(slot); // registers; buffers are made at first use
        assertThat(c.get(slot, true)).isEqualTo(0);
        slot[0] = 5;
        c.write(slot);
        assertThat(c.get(slot, true)).isEqualTo(0); // same pointer, new contents
        assertThat(c.get(slot, false)).isEqualTo(1);
        for (int v = 0; v < 3; v++) c.get(new int[] {v}, false); // content copies come and go
        assertThat(c.get(slot, true)).isEqualTo(0);
        c.release(slot);
        assertThat(log)
                .containsSubsequence(
                        "upload [3, 1] f",
                        "write [5, 1] f 0",
                        "upload [5, 1] i",
                        "free 1 (2)",
                        "free 0 (2)");
    }
}
