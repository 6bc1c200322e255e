package dev.modelyard.wire.ddi;

/** Link relation names used in DDI answers. */
public final class Links {

    public static final String DEPLOYMENT_BASE = "deploymentBase";
    public static final String CANCEL_ACTION = "cancelAction";
    public static final String CONFIG_DATA = "configData";
    public static final String INSTALLED_BASE = "installedBase";
    /** Artifact download; hawkBit names the HTTPS variant {@code download} and the plain one {@code download-http}. */
    public static final String DOWNLOAD = "download";
    public static final String DOWNLOAD_HTTP = "download-http";
    public static final String MD5SUM = "md5sum";
    public static final String MD5SUM_HTTP = "md5sum-http";

    private Links() {
    }
}
