package dev.modelyard.server.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The compact token hash is the stored hex hash, bit for bit, and never prints itself. */
class TokenHashTest {

    @Test
    void aPresentedTokenHashesToTheStoredHex() {
        for (int i = 0; i < 50; i++) {
            String secret = DeviceTokens.newSecret();
            String stored = DeviceTokens.hash(secret);
            TokenHash h = TokenHash.of(secret);
            assertEquals(stored, h.hex());
            assertEquals(TokenHash.ofHex(stored), h);
            assertEquals(TokenHash.ofHex(stored).hashCode(), h.hashCode());
            assertEquals(h, TokenHash.ofHex(stored.toUpperCase(java.util.Locale.ROOT)));
        }
    }

    @Test
    void everyWordCounts() {
        String stored = DeviceTokens.hash("tok-1");
        for (int position : new int[] {0, 15, 16, 31, 32, 47, 48, 63}) {
            char c = stored.charAt(position);
            String other = stored.substring(0, position) + (c == '0' ? '1' : '0') + stored.substring(position + 1);
            assertNotEquals(TokenHash.ofHex(stored), TokenHash.ofHex(other), "differs at " + position);
        }
    }

    @Test
    void storedValuesAreReadLeniently() {
        String stored = DeviceTokens.hash("tok-2");
        assertEquals(TokenHash.ofHex(stored), TokenHash.ofStored("  " + stored + " "));
        assertNull(TokenHash.ofStored(null));
        assertNull(TokenHash.ofStored(""));
        assertNull(TokenHash.ofStored(stored.substring(1)));
        assertNull(TokenHash.ofStored(stored.substring(1) + "g"));
        assertThrows(IllegalArgumentException.class, () -> TokenHash.ofHex(stored + "0"));
        assertThrows(IllegalArgumentException.class, () -> TokenHash.ofHex(null));
    }

    @Test
    void theHashIsNotPrinted() {
        String stored = DeviceTokens.hash("tok-3");
        assertFalse(TokenHash.ofHex(stored).toString().contains(stored.substring(0, 16)));
    }
}
