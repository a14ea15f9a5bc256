package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.FakeDevice;
import arm.data.SyntheticData;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import arm.tensor.Profile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-phase profile of one ARM iteration on the fake device: forward, recall loss and input
 * backward once per refinement step, step A and step B once, and a recorder left installed changes
 * nothing about the result.
 */
class ProfilePhasesTest {
    /** The phases of one ARM iteration (MLP, S = 3) on the fake device, steps eager or captured. */
    static Map<String, Profile.Phase> phases(boolean graphs) {
        String old = System.getProperty("arm.graphs");
        System.setProperty("arm.graphs", Boolean.toString(graphs));
        try (FakeDevice fake = FakeDevice.install()) {
            Backend gpu = Backends.get(Device.CUDA);
            Stepper run =
                    Stepper.create(
                            Methods.create(
                                    "ARM",
                                    "mnist",
                                    Map.of(
                                            "recall_from_t",
                                            "0",
                                            "device",
                                            "cuda",
                                            "mlp_hidden",
                                            "16",
                                            "S",
                                            "3")),
                            SyntheticData.mnistShaped(1),
                            42);
            Profile.Recorder rec = gpu.profileRecorder();
            Profile.Sink sink = Profile.install(rec);
            try {
                run.train(0);
            } finally {
                Profile.install(sink);
            }
            gpu.sync();
            return rec.phases();
        } finally {
            if (old == null) System.clearProperty("arm.graphs");
            else System.setProperty("arm.graphs", old);
        }
    }

    @Test
    void oneArmIterationReportsEveryPhase() {
        Map<String, Profile.Phase> p = phases(false);
        assertThat(p.keySet())
                .containsExactly("step A", "forward", "recall loss", "input backward", "step B");
        assertThat(p.get("step A").calls()).isEqualTo(1);
        assertThat(p.get("forward").calls()).isEqualTo(3);
        assertThat(p.get("recall loss").calls()).isEqualTo(3);
        assertThat(p.get("input backward").calls()).isEqualTo(3);
        assertThat(p.get("step B").calls()).isEqualTo(1);
        assertThat(p.values()).allSatisfy(ph -> assertThat(ph.millis()).isNotNegative());
    }

    @Test
    void capturedStepsReportTheirLaunchesAsGraphReplays() {
        Map<String, Profile.Phase> p = phases(true);
        // step 0 runs eagerly (its phases are marked), step 1 is captured (nothing marked) and
        // launched, step 2 replays: two launches
        assertThat(p.get("forward").calls()).isEqualTo(1);
        assertThat(p.get("input backward").calls()).isEqualTo(1);
        assertThat(p.get(CapturedStep.REPLAY).calls()).isEqualTo(2);
        assertThat(p.get("step B").calls()).isEqualTo(1);
    }

    @Test
    void nestedPhasesAndCountersAreSummedPerPhase() {
        long[] counters = {0, 0};
        Profile.Recorder rec =
                new Profile.Recorder(
                        Profile.WALL,
                        new Profile.Counters() {
                            @Override
                            public long launches() {
                                return counters[0];
                            }

                            @Override
                            public long syncs() {
                                return counters[1];
                            }
                        });
        Profile.Sink old = Profile.install(rec);
        try {
            for (int i = 0; i < 2; i++)
                try (Profile.Section outer = Profile.phase("step B")) {
                    counters[0] += 5;
                    try (Profile.Section inner = Profile.phase("forward")) {
                        counters[0] += 7;
                        counters[1] += 1;
                    }
                }
        } finally {
            Profile.install(old);
        }
        assertThat(rec.phases().get("step B"))
                .isEqualTo(new Profile.Phase(2, rec.phases().get("step B").millis(), 24, 2));
        assertThat(rec.phases().get("forward").launches()).isEqualTo(14);
        assertThat(rec.phases().get("forward").syncs()).isEqualTo(2);
    }
}
