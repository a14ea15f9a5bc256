package arm.method;

import arm.data.ContinualData;
import java.util.List;
import java.util.Map;

/** ER-MIR, replay of the maximally interfered samples (ALGORITHM.md §12.4; {@link ErMir}). */
public final class ErMirProvider implements MethodProvider {
    private static final List<MethodOption> OPTIONS =
            MethodOption.table(
                    ErProvider.BUFFER,
                    List.of(
                            new MethodOption(
                                    "subsample",
                                    "",
                                    "buffer candidates scored per update",
                                    "50",
                                    "50",
                                    "25"),
                            MethodOption.of(
                                    "old_logits",
                                    "",
                                    "off | position (the MIR code) | slot: also compare with logits"
                                            + " stored per row",
                                    "position",
                                    "off")));

    @Override
    public String name() {
        return "ER-MIR";
    }

    @Override
    public int order() {
        return 70;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new ErMir(defaults, overrides);
    }

    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return MemoryCost.buffer(method, data);
    }

    @Override
    public boolean bufferRows() {
        return true;
    }
}
