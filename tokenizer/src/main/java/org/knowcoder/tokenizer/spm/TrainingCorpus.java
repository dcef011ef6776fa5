package org.knowcoder.tokenizer.spm;

import org.knowcoder.io.LineReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The training text as SentencePiece's trainer sees it: lines of the input files (one sentence
 * each; empty lines and lines over {@code max_sentence_length} bytes skipped), a seeded reservoir
 * sample of at most {@code input_sentence_size} of them so that memory stays bounded whatever the
 * corpus size, each normalized and split into words at U+2581, then counted: word frequencies and
 * character frequencies.
 */
final class TrainingCorpus {
    final Map<String, Long> words = new HashMap<>();
    final Map<Integer, Long> chars = new HashMap<>();
    long sentencesRead, sentencesUsed, sentencesSkipped;

    static TrainingCorpus load(List<Path> inputs, TrainerSpec spec, NormalizerSpec normalizerSpec, long seed,
                               Consumer<String> progress) throws IOException {
        TrainingCorpus corpus = new TrainingCorpus();
        List<byte[]> sample = corpus.sample(inputs, spec, seed, progress);
        Normalizer normalizer = new Normalizer(normalizerSpec, null, null, spec.treatWhitespaceAsSuffix);
        ByteSink normalized = new ByteSink();
        for (byte[] sentence : sample) {
            normalizer.normalize(sentence, sentence.length, normalized);
            String text = new String(normalized.bytes, 0, normalized.size, StandardCharsets.UTF_8);
            for (String word : splitIntoWords(text, spec)) corpus.words.merge(word, 1L, Long::sum);
            text.codePoints().forEach(c -> corpus.chars.merge(c, 1L, Long::sum));
        }
        corpus.sentencesUsed = sample.size();
        progress.accept(String.format("read %,d sentences (%,d skipped as empty or longer than %,d bytes), using %,d: %,d distinct words, %,d distinct characters",
                corpus.sentencesRead, corpus.sentencesSkipped, spec.maxSentenceLength, corpus.sentencesUsed, corpus.words.size(), corpus.chars.size()));
        return corpus;
    }

    /** Reservoir sampling (Algorithm R), seeded: every sentence has the same chance to be kept. */
    private List<byte[]> sample(List<Path> inputs, TrainerSpec spec, long seed, Consumer<String> progress) throws IOException {
        long limit = spec.inputSentenceSize > 0 ? spec.inputSentenceSize : Long.MAX_VALUE;
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> sample = new ArrayList<>();
        for (Path input : inputs) {
            try (InputStream in = Files.newInputStream(input)) {
                LineReader lines = new LineReader(in);
                for (byte[] sentence; (sentence = lines.next()) != null; ) {
                    if (sentence.length == 0) continue;
                    if (sentence.length > spec.maxSentenceLength) {
                        sentencesSkipped++;
                        continue;
                    }
                    sentencesRead++;
                    if (sample.size() < limit) {
                        sample.add(sentence);
                    } else {
                        long j = random.nextLong(sentencesRead);
                        if (j < limit) sample.set((int) j, sentence);
                    }
                    if (sentencesRead % 1_000_000 == 0) progress.accept(String.format("read %,d sentences", sentencesRead));
                }
            }
        }
        return sample;
    }

    /**
     * SentencePiece's {@code SplitIntoWords}: a word starts at each U+2581 (or ends after it when
     * whitespace is a suffix). With whitespace-only pieces allowed, a run of spaces stays one word
     * except its last space, which starts the next word, so both "▁▁▁" and "▁word" can be learned.
     */
    static List<String> splitIntoWords(String text, TrainerSpec spec) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            boolean space = c == PieceRules.SPACE;
            boolean boundary;
            if (spec.treatWhitespaceAsSuffix) {
                boundary = i > 0 && text.codePointBefore(i) == PieceRules.SPACE;
            } else if (spec.allowWhitespaceOnlyPieces) {
                boolean afterSpace = i > 0 && text.codePointBefore(i) == PieceRules.SPACE;
                boolean beforeNonSpace = next < text.length() && text.codePointAt(next) != PieceRules.SPACE;
                boundary = space && (!afterSpace || beforeNonSpace);
            } else {
                boundary = space;
            }
            if (boundary && i > start) {
                words.add(text.substring(start, i));
                start = i;
            }
            i = next;
        }
        if (start < text.length()) words.add(text.substring(start));
        return words;
    }
}
