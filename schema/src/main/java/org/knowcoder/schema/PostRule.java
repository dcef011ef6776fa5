package org.knowcoder.schema;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A class method as a declarative post-processing rule (paper section 2.1): the model's span for
 * a concept is passed through its rules before scoring. Each rule is one Python {@code @classmethod}
 * ({@link #method()} names it, see {@link RuleCode}); {@link #apply} does in Java exactly what the
 * rendered Python does.
 */
public sealed interface PostRule permits PostRule.CutAt, PostRule.AppendSuffix, PostRule.DropWords {

    /** The Python method name; a class has at most one rule of each kind, as Python keeps one method per name. */
    String method();

    /** The span after this rule, or null when the rule drops it. */
    String apply(String span, String sentence);

    /** Cuts the span before the first of the separators, tried in order ({@code span.split(sep)[0]}), e.g. " such as ", " as ". */
    record CutAt(List<String> separators) implements PostRule {
        public CutAt {
            separators = List.copyOf(separators);
        }

        @Override
        public String method() {
            return "cut_at";
        }

        @Override
        public String apply(String span, String sentence) {
            for (String separator : separators) {
                int at = separator.isEmpty() ? -1 : span.indexOf(separator);
                if (at >= 0) span = span.substring(0, at);
            }
            return span;
        }
    }

    /**
     * Appends the suffix to a number when the sentence continues the number with it, e.g. "5" in
     * "a 5 star hotel" becomes "5 star" for a dataset whose ratings include the word.
     */
    record AppendSuffix(String suffix) implements PostRule {
        public AppendSuffix {
            Objects.requireNonNull(suffix, "suffix");
        }

        @Override
        public String method() {
            return "append_suffix";
        }

        @Override
        public String apply(String span, String sentence) {
            return isNumber(span) && sentence.contains(span + suffix) ? span + suffix : span;
        }

        /** Python's {@code span.replace(",", "").replace(".", "").isdigit()}. */
        private static boolean isNumber(String span) {
            String digits = span.replace(",", "").replace(".", "");
            return !digits.isEmpty() && digits.chars().allMatch(Character::isDigit);
        }
    }

    /** Drops spans that are one of the words (compared in lower case), e.g. pronouns where a dataset's guidelines exclude them. */
    record DropWords(List<String> words) implements PostRule {
        public DropWords {
            words = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList();
        }

        @Override
        public String method() {
            return "drop_words";
        }

        @Override
        public String apply(String span, String sentence) {
            return words.contains(span.toLowerCase(Locale.ROOT)) ? null : span;
        }
    }
}
