package arm.tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Host int arrays registered as fixed inputs ({@link Backend#writeInts}): a class mask or counts
 * that a captured graph reads from one device buffer whose contents are rewritten before each
 * launch. Ops that keep a copy of a host array for their backward (the caller may change it) keep a
 * fixed array itself, so the backward passes the same array, hence the same device buffer.
 */
public final class FixedInts {
    private static final Set<int[]> FIXED =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    private FixedInts() {}

    /** A copy of a to keep (null stays null), or a itself when it is a fixed input. */
    public static int[] keep(int[] a) {
        return a == null ? null : FIXED.contains(a) ? a : a.clone();
    }

    /** Whether a is registered as a fixed input. */
    public static boolean fixed(int[] a) {
        return a != null && FIXED.contains(a);
    }

    static void add(int[] a) {
        FIXED.add(a);
    }

    static void remove(int[] a) {
        FIXED.remove(a);
    }
}
