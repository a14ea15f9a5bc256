package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.run.Defaults;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The method registry: the published defaults unchanged, every option described, table order. */
class RegistryTest {

    /**
     * Every default of every paper method on every dataset, in order, as the tables stood before
     * the registry (arm/method/defaults-golden.txt): the published hyperparameters bit for bit.
     */
    @Test
    void publishedDefaultsAreUnchanged() throws Exception {
        String golden;
        try (var in = RegistryTest.class.getResourceAsStream("/arm/method/defaults-golden.txt")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder();
        for (String d : List.of("mnist", "cifar10", "miniimagenet"))
            for (String m :
                    List.of("Naive", "Stationary", "Distill", "ADI", "ARM", "ER", "ER-MIR")) {
                sb.append(d).append(' ').append(m);
                for (var e : Defaults.of(m, d).entrySet())
                    sb.append(' ').append(e.getKey()).append('=').append(e.getValue());
                sb.append(" | authors=").append(Defaults.authorsFirstRunId(m, d)).append('\n');
            }
        assertThat(sb.toString()).isEqualTo(golden);
    }

    @Test
    void everyOptionOfEveryMethodHasAMeaningAndIsRead() {
        assertThat(Methods.names())
                .startsWith("Naive", "Stationary", "Distill", "ADI", "ARM", "ER", "ER-MIR");
        for (String name : Methods.names()) {
            MethodProvider p = Methods.provider(name);
            assertThat(p.options()).as(name).isNotEmpty();
            for (MethodOption o : p.options()) {
                assertThat(o.meaning()).as(name + " " + o.key()).isNotBlank().doesNotContain("\n");
                assertThat(o.key()).as(name).matches("[A-Za-z_][A-Za-z0-9_]*");
            }
            assertThat(p.options().stream().map(MethodOption::key).distinct().count())
                    .as(name)
                    .isEqualTo(p.options().size());
            // every declared option is accepted and resolved by the method itself
            Method m = Methods.create(name, Map.of("mlp_hidden", "16"));
            assertThat(m.options().keySet())
                    .as(name)
                    .containsExactlyElementsOf(
                            p.options().stream().map(MethodOption::key).toList());
        }
    }

    @Test
    void bufferRowsFollowTheRegistry() {
        assertThat(Methods.bufferMethods()).containsExactly("ER", "ER-MIR");
        assertThat(Methods.canonical("er-mir-25")).isEqualTo("ER-MIR-25");
        assertThat(Methods.base("ER-MIR-25")).isEqualTo("ER-MIR");
        assertThat(Methods.tableRows(List.of("ER", "ARM"), "cifar10"))
                .containsExactly("ER-200", "ER-100", "ARM");
    }
}
