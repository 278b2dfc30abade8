# Generated from ui/help_view.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QSizePolicy, QTextBrowser, QVBoxLayout,
    QWidget)

class Ui_HelpView(object):
    def setupUi(self, HelpView):
        if not HelpView.objectName():
            HelpView.setObjectName(u"HelpView")
        HelpView.resize(1200, 700)
        self.rootLayout = QVBoxLayout(HelpView)
        self.rootLayout.setObjectName(u"rootLayout")
        self.browser = QTextBrowser(HelpView)
        self.browser.setObjectName(u"browser")
        self.browser.setOpenExternalLinks(True)

        self.rootLayout.addWidget(self.browser)


        self.retranslateUi(HelpView)

        QMetaObject.connectSlotsByName(HelpView)
    # setupUi

    def retranslateUi(self, HelpView):
        self.browser.setAccessibleName(QCoreApplication.translate("HelpView", u"Help", None))
        pass
    # retranslateUi
