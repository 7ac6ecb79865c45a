#!/bin/sh
# Runs ZooKeeper server {{id}} of cluster "{{cluster}}" in the foreground.
# zkops starts it detached, or its systemd unit runs it; any supervisor can.
# Rendered by zkops from templates/zk-run.sh.
set -e
{{#user}}
# The server runs as {{user}}, never as root. Started by root (zkops's
# supervised start), drop to that account first, keeping this pid.
if [ "$(id -u)" = 0 ]; then
  exec setpriv --reuid={{sh.user}} --regid="$(id -g {{sh.user}})" --init-groups /bin/sh "$0" "$@"
fi
{{/user}}
. {{sh.javaEnv}}
if [ ! -x "$JAVA" ]; then
  echo "zk-run.sh: JAVA_HOME=$JAVA_HOME has no executable bin/java; fix JAVA_HOME in conf/java.env (zkops doctor --fix)" >&2
  exit 127
fi
echo $$ > {{sh.pidFile}}
# The server starts with the files in place: a restart an interrupted zkops run left pending is done.
rm -f {{sh.restartPending}}
# exec: the pid written above becomes the JVM's own pid. Flags naming the log
# directory come first, one quoted word each (any path survives); then
# java.env's flags, where the inventory's own come last and win.
exec "$JAVA" \
{{#logDirFlags}}
  {{flag}} \
{{/logDirFlags}}
  $SERVER_JVMFLAGS \
  -Dzookeeper.log.dir="$ZOO_LOG_DIR" -Dzookeeper.log.file=zookeeper.log \
  -Dzookeeper.root.logger={{logging.level}},ROLLINGFILE \
  -Dlog4j.configuration=file:{{sh.log4jProps}} -Dlogback.configurationFile={{sh.logbackXml}} \
  -Dnetworkaddress.cache.negative.ttl=0 \
  -cp {{sh.classpath}} \
  org.apache.zookeeper.server.quorum.QuorumPeerMain {{sh.zooCfg}}
