import './source.js';
import './article.js';
import './topic.js';
import './clustering-run.js';
import './operations.js';
import './feed.js';
