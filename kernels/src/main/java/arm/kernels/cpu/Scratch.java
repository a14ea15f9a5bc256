package arm.kernels.cpu;

/**
 * A kernel's per-thread scratch arrays: {@code get(slot, size)} hands the calling thread its array
 * for that slot, grown to at least {@code size} floats and reused from call to call (contents left
 * over from the last call). Each kernel owns its instance, so two kernels never share an array.
 */
public final class Scratch {
    private final ThreadLocal<float[][]> slots;

    public Scratch(int n) {
        slots =
                ThreadLocal.withInitial(
                        () -> {
                            float[][] s = new float[n][];
                            for (int i = 0; i < n; i++) s[i] = new float[0];
                            return s;
                        });
    }

    public float[] get(int slot, int size) {
        float[][] s = slots.get();
        if (s[slot].length < size) s[slot] = new float[size];
        return s[slot];
    }
}
