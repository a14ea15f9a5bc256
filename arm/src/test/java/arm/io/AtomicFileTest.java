package arm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replacing a file: all or nothing, and a clear message when the disk says no. */
class AtomicFileTest {
    @TempDir Path tmp;

    @Test
    void replacesAndLeavesNoTemporaryFile() throws IOException {
        Path f = tmp.resolve("a.json");
        AtomicFile.write(f, "one".getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(f, "two".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(f)).isEqualTo("two");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("a.json");
        }
    }

    @Test
    void aFullDiskLeavesThePreviousFileAndSaysSo() throws IOException {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "no /dev/full here (not Linux)");
        Path f = tmp.resolve("ckpt.safetensors");
        AtomicFile.write(f, "previous".getBytes(StandardCharsets.UTF_8));
        AtomicFile.Opener diskFull =
                t -> {
                    Files.createFile(t); // the temporary file exists, as it would on a real disk
                    return FileChannel.open(full, StandardOpenOption.WRITE);
                };
        assertThatThrownBy(() -> AtomicFile.write(f, new byte[1 << 16], diskFull))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("No space left on device")
                .hasMessageContaining("unchanged")
                .hasMessageNotContaining("\n");
        assertThat(Files.readString(f)).isEqualTo("previous");
        assertThat(tmp.resolve("ckpt.safetensors.tmp")).doesNotExist();
    }

    @Test
    void aFailingOpenIsReportedWithTheFileAndTheCause() throws IOException {
        Path f = tmp.resolve("r.json");
        Files.writeString(f, "previous");
        AtomicFile.Opener readOnly =
                t -> {
                    throw new FileSystemException(t.toString(), null, "Read-only file system");
                };
        assertThatThrownBy(() -> AtomicFile.write(f, new byte[10], readOnly))
                .hasMessageContaining(f.toString())
                .hasMessageContaining("Read-only file system");
        assertThat(Files.readString(f)).isEqualTo("previous");
    }

    @Test
    void aFileWhereTheFolderShouldBeIsAClearError() throws IOException {
        Path notDir = tmp.resolve("checkpoints");
        Files.writeString(notDir, "in the way");
        Path f = notDir.resolve("ARM-run0.safetensors");
        assertThatThrownBy(() -> AtomicFile.write(f, new byte[10]))
                .hasMessageContaining(f.toString())
                .hasMessageContaining("Not a directory")
                .hasMessageNotContaining("\n");
    }
}
