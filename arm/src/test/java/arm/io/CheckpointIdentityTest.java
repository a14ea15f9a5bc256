package arm.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which checkpoints a run accepts: an option added after a checkpoint was written counts as its old
 * behaviour there (rng = ours, dedup = off, …), any other difference refuses it.
 */
class CheckpointIdentityTest {
    static Checkpoint.Identity id(Map<String, String> options) {
        return new Checkpoint.Identity("ARM", 0, 0, options, 500, 10, "mnist5k train 5000");
    }

    @Test
    void anOptionAddedLaterCountsAsItsOldBehaviour() {
        Map<String, String> old = Map.of("lr", "0.05", "M", "10");
        Map<String, String> now = new HashMap<>(old);
        now.putAll(Map.of("rng", "ours", "dedup", "off", "device", "cpu", "resnet_nf", "20"));
        assertThat(CheckpointStore.difference(id(old), id(now))).isNull();
        now.put("rng", "authors");
        assertThat(CheckpointStore.difference(id(old), id(now)))
                .isEqualTo("option rng is ours there, authors here");
    }

    @Test
    void aFolderWrittenBeforeAnOptionResumesWithItsOldBehaviour() {
        Map<String, String> saved = Map.of("lr", "0.05", "M", "10");
        assertThat(CheckpointStore.asWritten(saved, Set.of("lr", "M", "dedup", "rng")))
                .containsEntry("dedup", "off")
                .containsEntry("rng", "ours")
                .doesNotContainKey("resnet_nf")
                .hasSize(4);
        Map<String, String> withDedup = Map.of("lr", "0.05", "dedup", "on");
        assertThat(CheckpointStore.asWritten(withDedup, Set.of("lr", "dedup")))
                .isEqualTo(withDedup);
    }

    @Test
    void anyOtherOptionDifferenceRefuses() {
        Map<String, String> now = new HashMap<>(Map.of("lr", "0.05", "M", "10", "S", "10"));
        assertThat(CheckpointStore.difference(id(Map.of("lr", "0.05", "M", "10")), id(now)))
                .isEqualTo("option S is null there, 10 here");
        assertThat(
                        CheckpointStore.difference(
                                id(Map.of("lr", "0.1", "M", "10", "S", "10")), id(now)))
                .isEqualTo("option lr is 0.1 there, 0.05 here");
    }
}
