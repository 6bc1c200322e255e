package dev.modelyard.client;

/** One area of the API behind a facade: it speaks through the client's one {@link Transport}. */
abstract class Area {

    final Transport t;

    Area(Transport t) {
        this.t = t;
    }
}
