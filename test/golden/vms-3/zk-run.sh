#!/bin/sh
# Runs ZooKeeper server 1 of cluster "vms-3" in the foreground.
# zkops starts it detached, or its systemd unit runs it; any supervisor can.
# Rendered by zkops from templates/zk-run.sh.
set -e
# The server runs as zookeeper, never as root. Started by root (zkops's
# supervised start), drop to that account first, keeping this pid.
if [ "$(id -u)" = 0 ]; then
  exec setpriv --reuid=zookeeper --regid="$(id -g zookeeper)" --init-groups /bin/sh "$0" "$@"
fi
. /opt/zookeeper/node-1/conf/java.env
if [ ! -x "$JAVA" ]; then
  echo "zk-run.sh: JAVA_HOME=$JAVA_HOME has no executable bin/java; fix JAVA_HOME in conf/java.env (zkops doctor --fix)" >&2
  exit 127
fi
echo $$ > /opt/zookeeper/node-1/data/zookeeper_server.pid
# The server starts with the files in place: a restart an interrupted zkops run left pending is done.
rm -f /opt/zookeeper/node-1/data/zkops-restart-pending
# exec: the pid written above becomes the JVM's own pid. Flags naming the log
# directory come first, one quoted word each (any path survives); then
# java.env's flags, where the inventory's own come last and win.
exec "$JAVA" \
  "-XX:HeapDumpPath=$ZOO_LOG_DIR" \
  "-Xlog:gc*:file=\"$ZOO_LOG_DIR/gc.log\":time,uptime:filecount=5,filesize=20M" \
  $SERVER_JVMFLAGS \
  -Dzookeeper.log.dir="$ZOO_LOG_DIR" -Dzookeeper.log.file=zookeeper.log \
  -Dzookeeper.root.logger=INFO,ROLLINGFILE \
  -Dlog4j.configuration=file:/opt/zookeeper/node-1/conf/log4j.properties -Dlogback.configurationFile=/opt/zookeeper/node-1/conf/logback.xml \
  -Dnetworkaddress.cache.negative.ttl=0 \
  -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar \
  org.apache.zookeeper.server.quorum.QuorumPeerMain /opt/zookeeper/node-1/conf/zoo.cfg
