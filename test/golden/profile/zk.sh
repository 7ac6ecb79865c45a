# ZooKeeper tools on PATH for login shells (zkServer.sh, zkCli.sh).
# Rendered by zkops from templates/zk.sh (install as /etc/profile.d/zk.sh, or source it).
export ZOOKEEPER_HOME=/usr/share/zookeeper
export ZOOCFGDIR=/opt/zookeeper/node-1/conf
case ":$PATH:" in
  *":$ZOOKEEPER_HOME/bin:"*) ;;
  *) export PATH="$ZOOKEEPER_HOME/bin:$PATH" ;;
esac
