package arm.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in README.md and docs/*.md names a file or folder of the repository, and an
 * anchor into a Markdown file names one of its headings (GitHub's slugs). Links inside code blocks
 * and to other sites are not checked.
 */
class DocLinksTest {
    static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) p = p.getParent();
        return p;
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        Path root = root();
        List<Path> docs = new ArrayList<>();
        docs.add(root.resolve("README.md"));
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<String> dead = new ArrayList<>();
        for (Path doc : docs) dead.addAll(deadLinks(root, doc));
        assertThat(dead).as("dead links").isEmpty();
    }

    @Test
    void aMissingFileOrHeadingIsReported(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("mvnw"), "");
        Files.writeString(dir.resolve("b.md"), "# A heading, with (punctuation)\n");
        Path a = dir.resolve("a.md");
        Files.writeString(
                a,
                "[ok](b.md#a-heading-with-punctuation) [gone](c.md) [bad](b.md#nope)\n"
                        + "```\n[in code](d.md)\n```\n[web](https://example.org/x)\n");
        assertThat(deadLinks(dir, a))
                .containsExactly("a.md:1 c.md", "a.md:1 b.md#nope (no such heading)");
    }

    static List<String> deadLinks(Path root, Path doc) throws IOException {
        List<String> dead = new ArrayList<>();
        List<String> lines = Files.readAllLines(doc);
        boolean code = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("```")) code = !code;
            if (code) continue;
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) continue; // https:, mailto:
                String where = root.relativize(doc) + ":" + (i + 1) + " " + target;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path p = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                if (!p.startsWith(root) || !Files.exists(p)) dead.add(where);
                else if (anchor != null
                        && p.toString().endsWith(".md")
                        && !anchor.matches("L\\d+(-L\\d+)?")
                        && !anchors(p).contains(anchor)) dead.add(where + " (no such heading)");
            }
        }
        return dead;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    static Set<String> anchors(Path md) throws IOException {
        Set<String> out = new HashSet<>();
        boolean code = false;
        for (String line : Files.readAllLines(md)) {
            if (line.strip().startsWith("```")) code = !code;
            if (code || !line.startsWith("#")) continue;
            String h = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
            String slug = h.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            String s = slug;
            for (int k = 1; !out.add(s); k++) s = slug + "-" + k;
        }
        return out;
    }
}
