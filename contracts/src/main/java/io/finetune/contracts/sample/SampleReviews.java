package io.finetune.contracts.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small, seeded movie-review sentiment dataset written by us, for the local run and the tests. Reviews use words
 * the bundled tiny model's vocabulary knows, so a randomly initialised tiny DistilBERT learns it within minutes on a
 * laptop CPU. Like real data it has HTML line breaks and a few duplicates, so cleaning has work to do.
 */
public final class SampleReviews {
    public record Review(String id, String text, String label) {
    }

    private static final String[] POSITIVE = {"great", "good", "wonderful", "brilliant", "amazing", "fun", "funny",
            "best"};
    private static final String[] NEGATIVE = {"bad", "terrible", "awful", "boring", "dull", "worst",
            "a waste of time", "a waste of money"};
    private static final String[] LIKE = {"loved", "love", "really loved", "recommend"};
    private static final String[] DISLIKE = {"hated", "hate", "really hated", "never recommend"};
    private static final String[] SUBJECTS = {"movie", "film", "story", "plot", "acting", "actor", "actress",
            "director", "scene", "scenes"};

    public static List<Review> generate(int count, long seed) {
        Random random = new Random(seed);
        List<Review> reviews = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean positive = random.nextBoolean();
            String text = review(random, positive);
            if (random.nextInt(10) == 0) {
                text = text.replace(". ", ". <br /><br />"); // IMDB-style markup that cleaning must remove
            }
            reviews.add(new Review("review-" + i, text, positive ? "positive" : "negative"));
            if (random.nextInt(25) == 0) {
                reviews.add(new Review("review-" + i + "-again", text, positive ? "positive" : "negative"));
            }
        }
        return reviews;
    }

    /** Every review carries at least three sentiment cues among neutral words, as short real reviews do. */
    private static String review(Random random, boolean positive) {
        String[] adjectives = positive ? POSITIVE : NEGATIVE;
        String[] verbs = positive ? LIKE : DISLIKE;
        String first = pick(random, SUBJECTS);
        String second = pick(random, SUBJECTS);
        String a = pick(random, adjectives);
        String b = pick(random, adjectives);
        return switch (random.nextInt(4)) {
            case 0 -> "The " + first + " was " + a + " and " + b + ". I " + pick(random, verbs) + " this " + second
                    + ".";
            case 1 -> "I " + pick(random, verbs) + " the " + first + ", and the " + second + " was really " + a
                    + ". Just " + b + "!";
            case 2 -> "This " + first + " is " + a + " and the " + second + " is " + b + ". I "
                    + pick(random, verbs) + " it.";
            default -> capital(a) + " " + first + ", " + b + " " + second + ". I " + pick(random, verbs) + " it.";
        };
    }

    private static String pick(Random random, String[] words) {
        return words[random.nextInt(words.length)];
    }

    private static String capital(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    private SampleReviews() {
    }
}
