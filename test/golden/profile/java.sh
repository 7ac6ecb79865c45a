# Java for ZooKeeper: JAVA_HOME, JRE_HOME and PATH for login shells.
# Rendered by zkops from templates/java.sh (install as /etc/profile.d/java.sh, or source it).
export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
export JRE_HOME="$JAVA_HOME"
case ":$PATH:" in
  *":$JAVA_HOME/bin:"*) ;;
  *) export PATH="$JAVA_HOME/bin:$PATH" ;;
esac
