/**
 * SHA-512s of Apache ZooKeeper binary releases that zkops knows, preferred
 * over any mirror's .sha512: a release whose bytes match its entry here needs
 * nothing else to be trusted, and one signed by Apache's KEYS whose bytes
 * differ from its entry is refused. Only values taken from a source that can
 * be named are listed; a release not listed is checked by its signature.
 */
export const KNOWN_RELEASE_SHA512: Readonly<Record<string, string>> = {
  // Two independent published copies agree (looked up 2026-12-06; Apache's own
  // .sha512 could not be reached from the machine this was written on):
  // microsoft/vcpkg ports/zookeeper/portfile.cmake (vcpkg_download_distfile of
  // dlcdn.apache.org/zookeeper/zookeeper-3.9.3/apache-zookeeper-3.9.3-bin.tar.gz),
  // and lasyard's install notes (`sha512sum` of the same file from the TUNA mirror).
  '3.9.3':
    'd44d870c1691662efbf1a8baf1859c901b820dc5ff163b36e81beb27b6fbf3cd31b5f1f075697edaaf6d3e7a4cb0cc92f924dcff64b294ef13d535589bdaf143',
};
