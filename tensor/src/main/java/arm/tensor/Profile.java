package arm.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named phases of a training iteration (forward, recall loss, input backward, step A, step B) for a
 * per-phase profile. Nothing is recorded unless a {@link Sink} is installed (the GPU check installs
 * one that records CUDA events and counts launches and host waits); the calls then cost one
 * volatile read.
 *
 * <pre>
 * try (Profile.Section s = Profile.phase("step A")) { … }
 * </pre>
 */
public final class Profile {
    private Profile() {}

    /** Receives phase boundaries, in order, from the thread that trains. */
    public interface Sink {
        void begin(String phase);

        void end(String phase);
    }

    /** Closes a phase; never throws. */
    public interface Section extends AutoCloseable {
        @Override
        void close();
    }

    private static final Section NONE = () -> {};
    private static volatile Sink sink;

    /** Installs {@code s} (null removes it); returns the sink there was. */
    public static Sink install(Sink s) {
        Sink old = sink;
        sink = s;
        return old;
    }

    /**
     * Opens phase {@code name}; close it when the phase's work has been queued. Inside a step being
     * captured ({@link CapturedStep}) nothing is marked: the work is recorded there, not queued,
     * and runs within the phase {@link CapturedStep#REPLAY} of each launch.
     */
    public static Section phase(String name) {
        Sink s = sink;
        if (s == null || CapturedStep.capturing()) return NONE;
        s.begin(name);
        return () -> s.end(name);
    }

    /**
     * Marks points in a device's work queue and measures between them (CUDA events; wall time on
     * the CPU).
     */
    public interface Clock {
        Object mark();

        /** Milliseconds from mark a to mark b; call after the device has finished both. */
        double millis(Object a, Object b);
    }

    /** Host-side work counters of a backend: launches queued, times the host waited. */
    public interface Counters {
        long launches();

        long syncs();
    }

    /** Wall time: marks are System.nanoTime(). */
    public static final Clock WALL =
            new Clock() {
                @Override
                public Object mark() {
                    return System.nanoTime();
                }

                @Override
                public double millis(Object a, Object b) {
                    return ((Long) b - (Long) a) / 1e6;
                }
            };

    /**
     * One phase's totals: how often it ran, device milliseconds, launches and host waits within it.
     */
    public record Phase(int calls, double millis, long launches, long syncs) {}

    /** A sink that sums each phase's time (by its clock) and counters; phases may nest. */
    public static final class Recorder implements Sink {
        private record Open(String phase, Object mark, long launches, long syncs) {}

        private final Clock clock;
        private final Counters counters;
        private final ArrayDeque<Open> open = new ArrayDeque<>();
        private final Map<String, List<Object[]>> spans = new LinkedHashMap<>();
        private final Map<String, long[]> counts = new LinkedHashMap<>();

        /** counters may be null (then launches and syncs read 0). */
        public Recorder(Clock clock, Counters counters) {
            this.clock = clock;
            this.counters = counters;
        }

        @Override
        public synchronized void begin(String phase) {
            open.push(new Open(phase, clock.mark(), launches(), syncs()));
        }

        @Override
        public synchronized void end(String phase) {
            Open o = open.pop();
            if (!o.phase.equals(phase))
                throw new IllegalStateException("phase " + phase + " closed inside " + o.phase);
            spans.computeIfAbsent(phase, k -> new ArrayList<>())
                    .add(new Object[] {o.mark, clock.mark()});
            long[] c = counts.computeIfAbsent(phase, k -> new long[2]);
            c[0] += launches() - o.launches;
            c[1] += syncs() - o.syncs;
        }

        private long launches() {
            return counters == null ? 0 : counters.launches();
        }

        private long syncs() {
            return counters == null ? 0 : counters.syncs();
        }

        /** The totals per phase, in first-seen order; wait for the device first (Backend.sync). */
        public synchronized Map<String, Phase> phases() {
            Map<String, Phase> out = new LinkedHashMap<>();
            spans.forEach(
                    (name, list) -> {
                        double ms = 0;
                        for (Object[] s : list) ms += clock.millis(s[0], s[1]);
                        long[] c = counts.get(name);
                        out.put(name, new Phase(list.size(), ms, c[0], c[1]));
                    });
            return out;
        }
    }
}
