package org.knowcoder.ie.data;

import org.junit.jupiter.api.Test;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Sample;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkSamplerTest {

    /** 30 samples of type a, 5 of type b, 20 empty, and one sample whose text repeats another's. */
    private static List<Sample> data() {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) out.add(sample("a" + i, "a"));
        for (int i = 0; i < 5; i++) out.add(sample("b" + i, "b"));
        for (int i = 0; i < 20; i++) out.add(new Sample("e" + i, "d", "empty " + i, List.of(), List.of(), List.of()));
        out.add(sample("a0", "a"));
        return out;
    }

    private static Sample sample(String text, String type) {
        return new Sample(text, "d", text, List.of(Mention.of(type, text, 0, 1)), List.of(), List.of());
    }

    @Test
    void drawsCeilOfCountOverStepPerTypeAndForEmptySamples() {
        List<Sample> picked = BenchmarkSampler.sample(data(), Task.NER, BenchmarkSampler.NER_STEP, BenchmarkSampler.DEFAULT_SEED);
        // a: 31 holders -> 3, b: 5 -> 1, empty: 20 -> 2; the repeated "a0" is kept once at most
        assertEquals(3, picked.stream().filter(s -> s.text().startsWith("a")).count());
        assertEquals(1, picked.stream().filter(s -> s.text().startsWith("b")).count());
        assertEquals(2, picked.stream().filter(Sample::isEmpty).count());
        assertEquals(picked.size(), picked.stream().map(Sample::text).distinct().count());
    }

    @Test
    void theSeedFixesTheSubset() {
        List<Sample> data = data();
        assertEquals(BenchmarkSampler.sample(data, Task.RE, 4, 42), BenchmarkSampler.sample(data, Task.RE, 4, 42));
        List<Sample> a = BenchmarkSampler.sample(data, Task.NER, 4, 42), b = BenchmarkSampler.sample(data, Task.NER, 4, 43);
        assertNotEquals(a, b);
        assertTrue(data.containsAll(a));
    }
}
