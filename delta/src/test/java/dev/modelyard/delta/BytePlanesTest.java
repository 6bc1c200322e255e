package dev.modelyard.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BytePlanesTest {

    @Test
    void splitPutsEachByteOfAnElementIntoItsPlane() {
        byte[] elements = {1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24};
        byte[] planes = new byte[12];
        BytePlanes.split(elements, 0, 12, 4, planes, 0);
        assertArrayEquals(new byte[] {1, 11, 21, 2, 12, 22, 3, 13, 23, 4, 14, 24}, planes);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void joinUndoesSplitAtOffsets(int width) {
        byte[] source = Deltas.random(width, 1000 + 64);
        int len = 64 * width;
        byte[] planes = new byte[len + 7];
        BytePlanes.split(source, 5, len, width, planes, 7);
        byte[] back = new byte[len + 3];
        BytePlanes.join(planes, 7, len, width, back, 3);
        byte[] expected = new byte[len];
        System.arraycopy(source, 5, expected, 0, len);
        byte[] actual = new byte[len];
        System.arraycopy(back, 3, actual, 0, len);
        assertArrayEquals(expected, actual);
    }

    @Test
    void refusesWidthsAndLengthsTheFormatDoesNotKnow() {
        byte[] bytes = new byte[24];
        assertThrows(IllegalArgumentException.class, () -> BytePlanes.split(bytes, 0, 12, 3, new byte[24], 0));
        assertThrows(IllegalArgumentException.class, () -> BytePlanes.split(bytes, 0, 10, 4, new byte[24], 0));
        assertThrows(IllegalArgumentException.class, () -> BytePlanes.join(bytes, 0, 16, 16, new byte[24], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> BytePlanes.join(bytes, 16, 16, 4, new byte[24], 0));
        assertThrows(IllegalArgumentException.class, () -> BytePlanes.split(bytes, 0, 16, 4, bytes, 4));
    }
}
