package arm.replica;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Values printed by numpy 2.4.6's legacy RandomState (frozen since numpy 1.17), seed 111. */
class NumpyRandomTest {

    @Test
    void rawOutputsMatchMt19937() {
        // np.random.RandomState(111).randint(0, 2**32, size=3, dtype=np.uint32)
        NumpyRandom r = new NumpyRandom(111);
        assertThat(new long[] {r.nextUint32(), r.nextUint32(), r.nextUint32()})
                .containsExactly(2629250900L, 518650732L, 726149076L);
        // the reference MT19937 first output for init_genrand(5489)
        assertThat(new NumpyRandom(5489).nextUint32()).isEqualTo(3499211612L);
    }

    @Test
    void shuffleAndPermutationMatchNumpy() {
        NumpyRandom r = new NumpyRandom(111);
        int[] a = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        r.shuffle(a); // np.random.seed(111); np.random.shuffle(np.arange(10))
        assertThat(a).containsExactly(7, 0, 5, 2, 1, 3, 6, 8, 9, 4);
        assertThat(new NumpyRandom(111).permutation(7)).containsExactly(3, 1, 2, 0, 5, 6, 4);
    }

    @Test
    void theCifarTrainChainMatchesNumpy() {
        // seed(111); shuffle(arange(47500)); then five task shuffles of arange(9500)
        NumpyRandom r = new NumpyRandom(111);
        int[] b = r.permutation(47500);
        assertThat(new int[] {b[0], b[1], b[2], b[3], b[4]})
                .containsExactly(12388, 2562, 19963, 16173, 29612);
        assertThat(new int[] {b[47497], b[47498], b[47499]}).containsExactly(4820, 10196, 12116);
        int[] o = null;
        for (int t = 0; t < 5; t++) o = r.permutation(9500);
        assertThat(new int[] {o[0], o[1], o[2], o[3]}).containsExactly(7548, 4590, 1362, 2293);
    }
}
